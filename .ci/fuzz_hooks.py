"""Schemathesis hooks for .ci/fuzz (loaded through SCHEMATHESIS_HOOKS).

One hook only, `filter_failure`: it drops a "schema-valid request rejected" (ST202) failure when
the 422 problem names nothing but rules that an OpenAPI schema cannot state, and a "schema-
violating request accepted" (ST201) that is the replay of a create by its existing id. Every
other failure is kept, and so is any 422 that also names a field for another reason. Schemathesis counts the dropped failures
in its summary ("dropped by filter_failure"), so they stay visible.
"""

import re
import json
import os
import threading

import schemathesis

# Where each dropped failure is noted (one line: operation and the rules it named), for
# .ci/fuzz-summary.py to count; unset, nothing is written.
DROPPED_LOG = os.environ.get("FUZZ_DROPPED_LOG")
_lock = threading.Lock()

# Each rule is (field, code); `None` as the field means any field. Why each one is beyond a schema:
UNSTATEABLE = {
    # A cursor is an opaque token the server made (base64url JSON of the last row's sort key);
    # a schema can only call it a string, and almost no string is a cursor.
    ("cursor", None),
    # The sync cursor (`GET /sync/changes?since=`) likewise.
    ("since", None),
    # `GET /stats`: `to` must not be before `from` and the period is at most ten years: a rule
    # across two parameters.
    ("to", "invalid_period"),
    # A reference (a unit, client, case, user, goal) must name a record that exists and lies in
    # the caller's scope: the database decides, not the schema.
    (None, "not_found"),
    # Cross-field rules: a field allowed or required only given another one (an ID number with
    # the ID type `none`, a division code of another tier than the unit's).
    (None, "not_allowed"),
    (None, "level_mismatch"),
    # A client category that needs an age (`disabled_elder` is 60 or over, a left-behind child
    # under 16) against the birth date.
    ("categories", "age_must_be_60_or_over"),
    ("categories", "age_must_be_under_16"),
    ("categories", "age_must_be_under_18"),
    # A category that needs a birth date or a guardian on record.
    ("birth_date", "birth_date_required"),
    ("guardian", "guardian_required"),
    # A resident ID number: its form depends on `id_type`, its last digit is a checksum, and the
    # birth date and sex written in it must be real and agree with `birth_date` and `gender`.
    ("id_number", "invalid_length"),
    ("id_number", "invalid_format"),
    ("id_number", "invalid_check_digit"),
    ("id_number", "invalid_birth_date"),
    ("id_number", "future_birth_date"),
    ("birth_date", "birth_date_mismatch"),
    ("id_number", "birth_date_mismatch"),
    ("gender", "gender_mismatch"),
    ("id_number", "gender_mismatch"),
    # A birth date after today: the bound moves with the calendar.
    ("birth_date", "future_birth_date"),
    # The same record twice in one list of objects (`members[1].client_id`, a goal twice in
    # `goal_results`): uniqueness of one property across the items of an array. (Lists of plain
    # values state it with `uniqueItems`.)
    ("client_id", "duplicate"),
    ("goal_id", "duplicate"),
    # A date must lie between 2000-01-01 and a bound counted from today (today for past events,
    # five years ahead for plans): a window that moves with the calendar.
    (None, "out_of_range"),
    # Not after now (a session, an assessment, a supervision): the same moving bound.
    (None, "in_future"),
    # A document number is required unless `id_type` is `none`.
    ("id_number", "required"),
    # A session PATCH may set only the fields of the stored session's method: the method is in
    # the database, not in the request.
    (None, "not_for_method"),
    # Field work: red needs a reason (a field required given another's value); a higher risk is
    # not visited less often than a lower one (an order across four fields); a visit's `case` or
    # `referral` belongs to its `action`, names one of its `client_ids`, and an outgoing referral
    # needs consent; leaving is not before the stored enrolment; a re-rating changes the stored
    # level; an entry is named once among the levels observed.
    (None, "reason_required"),
    (None, "out_of_order"),
    ("case", "required"),
    ("referral", "required"),
    (None, "not_for_action"),
    ("client_id", "not_visited"),
    ("consent_given", "consent_required"),
    ("left_on", "before_enrolment"),
    ("level", "unchanged"),
    ("roster_entry_id", "duplicate"),
    # A password on the list of common passwords: a dictionary, not a pattern.
    ("password", "common_password"),
    ("new_password", "common_password"),
}


def _field_of(error: dict) -> str:
    """The field's own name: `members[0].client_id` → `client_id`."""
    return (error.get("field") or "").rsplit(".", 1)[-1].split("[", 1)[0]


def _unstateable(error: dict) -> bool:
    field, code = _field_of(error), error.get("code")
    if re.match(r"^mutations\[\d+\]\.(base|changes)\b", error.get("field") or ""):
        # A sync mutation's `base` and `changes` are the body of another endpoint, chosen by its
        # `entity` and `op`: the batch's schema can only call them objects.
        return True
    if code == "invalid" and "invalid type: floating point" in (error.get("message") or ""):
        # JSON Schema counts 152.0 as an integer and schemathesis sends it so; the server's typed
        # parser wants 152. No schema can ask for an integer written without a fraction.
        return True
    return any((f is None or f == field) and (c is None or c == code) for f, c in UNSTATEABLE)


def _note(case, reasons: str) -> None:
    if DROPPED_LOG:
        with _lock, open(DROPPED_LOG, "a", encoding="utf-8") as log:
            log.write(f"{case.operation.label}\t{reasons}\n")


def _idempotency_replay(problem: dict) -> bool:
    """The fuzzer drew an Idempotency-Key it had already used with another body: 422 is the
    documented answer, and which keys were used before is state, not schema."""
    return not problem.get("errors") and "Idempotency-Key" in (problem.get("detail") or "")


def _replayed_create(failure, case, response) -> bool:
    """A create whose client-chosen `id` is already recorded answers 200 with the stored record
    (offline-first: a phone resending what it already sent), and that answer does not depend on
    the body resent. Which ids exist is state, not schema; a fresh create (201) is still checked."""
    return (
        getattr(failure, "code", None) == "ST201"
        and response.status_code == 200
        and case.method.upper() == "POST"
        and isinstance(case.body, dict)
        and bool(case.body.get("id"))
    )


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if _replayed_create(failure, case, response):
        _note(case, "create replayed by its existing id")
        return False
    if getattr(failure, "code", None) != "ST202" or response.status_code != 422:
        return True
    try:
        problem = json.loads(response.content)
        errors = problem.get("errors") or []
    except (ValueError, AttributeError):
        return True
    if _idempotency_replay(problem):
        _note(case, "Idempotency-Key reused")
        return False
    if errors and all(_unstateable(e) for e in errors):
        _note(case, ", ".join(sorted({f"{_field_of(e)}:{e.get('code')}" for e in errors})))
        return False
    return True
