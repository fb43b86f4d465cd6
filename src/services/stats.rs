//! Statistics for a subtree and period, and their export as a spreadsheet for the bureau.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::repo::{self, stats::StatsScope};
use crate::domain::enums::{PopulationGroup, Programme};
use crate::domain::labels::Coded;
use crate::domain::permissions::Permission;
use crate::dto::stats::{ByMethod, Figures, StatsOut, StatsQuery, StatsRow};
use crate::error::AppError;
use crate::i18n::Text;
use crate::state::AppState;

type Key = (Option<Uuid>, Option<String>);

fn period_error(zh: &str, en: &str) -> AppError {
    AppError::field("to", "invalid_period", Text::owned(zh, en))
}

/// Midnight at the start of a day in China Standard Time.
fn start_of(day: NaiveDate) -> Result<chrono::DateTime<Utc>, AppError> {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).ok_or_else(|| AppError::internal(anyhow::anyhow!("offset")))?;
    offset
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("time")))
}

/// Computes the figures.
pub async fn stats(state: &AppState, actor: &Actor, query: &StatsQuery) -> Result<StatsOut, AppError> {
    super::require(state, actor, Permission::StatsRead, "stats.read").await?;
    let today = super::today();
    let from = query.from.unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = query.to.unwrap_or(today);
    if to < from {
        return Err(period_error("结束日期不能早于开始日期。", "The period ends before it starts."));
    }
    if (to - from).num_days() > 3660 {
        return Err(period_error("统计区间不能超过十年。", "A period is at most ten years."));
    }
    let group_by: Vec<String> = query.group_by.as_deref().unwrap_or("unit").split(',').map(|s| s.trim().to_owned()).collect();
    if group_by.iter().any(|g| g != "unit" && g != "month") || group_by.is_empty() {
        return Err(AppError::field(
            "group_by",
            "invalid",
            Text::new("group_by 只能为 unit、month 或 unit,month。", "group_by is `unit`, `month` or `unit,month`."),
        ));
    }
    let by_unit = group_by.iter().any(|g| g == "unit");
    let by_month = group_by.iter().any(|g| g == "month");
    let mut conn = state.conn().await?;
    let unit_id = query.org_unit_id.unwrap_or(actor.org_unit_id);
    let unit = repo::org_units::find_in_scope(&mut conn, &actor.scope, unit_id).await?.ok_or(AppError::NotFound)?;
    let end = to.checked_add_days(Days::new(1)).unwrap_or(to);
    let whole = whole_months(from, end);
    let (whole_from, whole_to) = match whole {
        Some((first, after_last)) => (start_of(first)?, start_of(after_last)?),
        None => (start_of(end)?, start_of(end)?),
    };
    let (whole_years, whole_year_months) = whole_month_years(whole);
    // Snapshots of a period that runs on are taken now: the roster as it stands today, and
    // coverage judged at the end of today (`fieldwork::covered` with the first day after the
    // period), so that today's visits count today.
    let tomorrow = today.checked_add_days(Days::new(1)).unwrap_or(today);
    let roster_end_day = end.min(tomorrow);
    let covered_end_day = roster_end_day;
    let scope = StatsScope {
        root_path: unit.path.clone(),
        root_id: unit.id,
        from: start_of(from)?,
        to: start_of(end)?,
        whole_from,
        whole_to,
        whole_years,
        whole_year_months,
        by_unit,
        by_month,
        roster_end_day,
        roster_end: start_of(roster_end_day)?,
        covered_end_day,
        covered_end: start_of(covered_end_day)?,
        today,
        last_day: to,
    };
    let rows = repo::stats::figures(&mut conn, &scope).await?;
    let (sessions, clients, cases) = (rows.sessions, rows.clients, rows.cases);

    let mut figures: HashMap<Key, Figures> = HashMap::new();
    for s in sessions {
        let f = figures.entry((s.bucket, s.month)).or_default();
        f.sessions = ByMethod {
            individual: s.individual_sessions,
            group: s.group_sessions,
            community: s.community_sessions,
            visit: s.visit_sessions,
        };
        f.minutes = ByMethod {
            individual: s.individual_minutes,
            group: s.group_minutes,
            community: s.community_minutes,
            visit: s.visit_minutes,
        };
        f.visit_person_times = s.visit_person_times;
        f.household_visits = s.household_visits;
        f.community_participants = s.community_participants;
        f.volunteer_hours = s.volunteer_hours;
        f.resources_value_yuan = s.resources_value_fen as f64 / 100.0;
        f.people_served = s.people_served;
        people_by(f, s.people_by.as_ref());
        f.person_times = s.individual_sessions + s.group_attendees + s.community_participants + s.visit_person_times;
    }
    for c in clients {
        let f = figures.entry((c.bucket, c.month)).or_default();
        match c.label {
            None => f.clients_registered = c.n,
            Some(category) => {
                f.clients_by_category.insert(category, c.n);
            }
        }
    }
    for c in cases {
        let f = figures.entry((c.bucket, c.month)).or_default();
        let label = c.label.unwrap_or_default();
        if label == "opened" {
            f.cases_opened = c.n;
        } else if let Some(reason) = label.strip_prefix("closed:") {
            f.cases_closed += c.n;
            f.closed_by_reason.insert(reason.to_owned(), c.n);
        } else if let Some(risk) = label.strip_prefix("open:") {
            *f.open_at_end.get_or_insert(0) += c.n;
            f.open_by_risk.get_or_insert_with(BTreeMap::new).insert(risk.to_owned(), c.n);
        } else if label == "overdue" {
            f.overdue_cases = Some(c.n);
        } else if label == "pending_reviews" {
            f.pending_reviews = Some(c.n);
        }
    }
    for r in rows.rosters {
        let f = figures.entry((r.bucket, r.month)).or_default();
        let label = r.label.unwrap_or_default();
        if let Some((programme, level)) = label.strip_prefix("roster:").and_then(|l| l.split_once(':')) {
            *f.roster_active.get_or_insert(0) += r.n;
            *f.roster_by_programme
                .get_or_insert_with(BTreeMap::new)
                .entry(programme.to_owned())
                .or_default()
                .entry(level.to_owned())
                .or_default() += r.n;
        } else if label == "covered" {
            f.roster_covered = Some(r.n);
        } else if label == "overdue_visits" {
            f.overdue_visits = Some(r.n);
        }
    }
    let mut total = figures.remove(&(None, None)).unwrap_or_default();
    fill_snapshot(&mut total);
    fill_people(&mut total);
    // Point-in-time figures are taken at the period's end (or now, for a period that runs on):
    // by month, they belong to the row of the month holding that day, not to a row of no month.
    let last_month = to.min(today).format("%Y-%m").to_string();
    if by_month {
        let snapshots: Vec<Key> = figures.keys().filter(|(_, month)| month.is_none()).cloned().collect();
        for key in snapshots {
            let Some(snapshot) = figures.remove(&key) else { continue };
            move_snapshot(snapshot, figures.entry((key.0, Some(last_month.clone()))).or_default());
        }
    }

    // Every child unit gets a row, even with nothing to count.
    let children = if by_unit { repo::org_units::children_of(&mut conn, unit.id).await? } else { Vec::new() };
    let mut names: HashMap<Uuid, String> = children.iter().map(|c| (c.id, c.name.clone())).collect();
    names.insert(unit.id, unit.name.clone());
    if by_unit && !by_month {
        for c in &children {
            figures.entry((Some(c.id), None)).or_default();
        }
    }
    let mut rows: Vec<StatsRow> = figures
        .into_iter()
        .map(|((bucket, month), mut f)| {
            fill_people(&mut f);
            if (by_unit && !by_month) || month.as_deref() == Some(last_month.as_str()) {
                fill_snapshot(&mut f);
            } else {
                fill_coverage(&mut f);
            }
            StatsRow {
                org_unit_name: bucket.and_then(|b| names.get(&b).cloned()),
                org_unit_id: if by_unit { bucket } else { None },
                month,
                figures: f,
            }
        })
        .collect();
    rows.sort_by(|a, b| (&a.org_unit_name, &a.month).cmp(&(&b.org_unit_name, &b.month)));
    Ok(StatsOut { org_unit_id: unit.id, org_unit_name: unit.name, from, to, group_by, rows, total })
}

/// The whole calendar months inside the days `[from, end)`: the first day of the first one and
/// the first day after the last one, or `None` when no month lies wholly inside.
fn whole_months(from: NaiveDate, end: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let first = if from.day() == 1 { from } else { from.with_day(1)?.checked_add_months(chrono::Months::new(1))? };
    let after_last = end.with_day(1)?;
    (first < after_last).then_some((first, after_last))
}

/// The first and last year of the whole months `[first, after_last)` (first days of months),
/// and the months of each of those two years that lie in them, as bits (January = 1): what
/// `session_year_clients` is read with. No whole months give an empty range of years.
fn whole_month_years(whole: Option<(NaiveDate, NaiveDate)>) -> ((i32, i32), (i32, i32)) {
    let Some((first, after_last)) = whole else { return ((1, 0), (0, 0)) };
    let last = after_last.pred_opt().unwrap_or(after_last);
    let bits = |year: i32| {
        let lo = if year == first.year() { first.month0() } else { 0 };
        let hi = if year == last.year() { last.month0() + 1 } else { 12 };
        if hi > lo {
            (1 << hi) - (1 << lo)
        } else {
            0
        }
    };
    ((first.year(), last.year()), (bits(first.year()), bits(last.year())))
}

/// The people served by population group and by gender, as the query counted them
/// (`group:<code>` and `gender:<code>`).
fn people_by(f: &mut Figures, counts: Option<&Value>) {
    let Some(counts) = counts.and_then(Value::as_object) else { return };
    for (label, n) in counts {
        let n = n.as_i64().unwrap_or(0);
        if let Some(group) = label.strip_prefix("group:") {
            f.people_served_by_group.insert(group.to_owned(), n);
        } else if let Some(gender) = label.strip_prefix("gender:") {
            f.people_served_by_gender.insert(gender.to_owned(), n);
        }
    }
}

/// Puts the point-in-time figures of `from` on `to` (the row of the month they were taken in).
fn move_snapshot(from: Figures, to: &mut Figures) {
    to.open_at_end = from.open_at_end;
    to.open_by_risk = from.open_by_risk;
    to.overdue_cases = from.overdue_cases;
    to.pending_reviews = from.pending_reviews;
    to.roster_by_programme = from.roster_by_programme;
    to.roster_active = from.roster_active;
    to.roster_covered = from.roster_covered;
    to.overdue_visits = from.overdue_visits;
}

/// Every population group and both genders are present in a row, zero where nobody was served.
fn fill_people(f: &mut Figures) {
    for g in PopulationGroup::ALL {
        f.people_served_by_group.entry(g.code().to_owned()).or_insert(0);
    }
    for g in ["male", "female"] {
        f.people_served_by_gender.entry(g.to_owned()).or_insert(0);
    }
}

/// Point-in-time figures are zero, not absent, where a unit row or the total has none.
fn fill_snapshot(f: &mut Figures) {
    f.open_at_end.get_or_insert(0);
    f.open_by_risk.get_or_insert_with(BTreeMap::new);
    f.overdue_cases.get_or_insert(0);
    f.pending_reviews.get_or_insert(0);
    f.roster_by_programme.get_or_insert_with(BTreeMap::new);
    f.roster_active.get_or_insert(0);
    f.roster_covered.get_or_insert(0);
    f.overdue_visits.get_or_insert(0);
    fill_coverage(f);
}

/// The share of active entries covered, where a row has the roster's figures.
fn fill_coverage(f: &mut Figures) {
    if f.roster_active.is_some() || f.roster_covered.is_some() {
        f.roster_coverage = Some(coverage(f.roster_covered.unwrap_or(0), f.roster_active.unwrap_or(0)));
    }
}

/// The share of active entries covered, to four decimals; 0 when there are none.
fn coverage(covered: i64, active: i64) -> f64 {
    if active <= 0 {
        return 0.0;
    }
    (covered as f64 / active as f64 * 10_000.0).round() / 10_000.0
}

/// The kinds of spreadsheet an export can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    /// Office Open XML workbook.
    Xlsx,
    /// Comma-separated values, UTF-8 with a byte-order mark.
    Csv,
}

impl SheetFormat {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            SheetFormat::Xlsx => "xlsx",
            SheetFormat::Csv => "csv",
        }
    }
}

/// A finished export file.
pub struct Export {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// What kind of file they are.
    pub format: SheetFormat,
    /// A file name.
    pub file_name: String,
}

/// Column headers of the export, in order.
pub const HEADERS: &[&str] = &[
    "单位",
    "月份",
    "服务人数",
    "服务人次",
    "个案服务次数",
    "小组活动次数",
    "社区活动次数",
    "个案服务时长（分钟）",
    "小组服务时长（分钟）",
    "社区服务时长（分钟）",
    "社区活动参与人次",
    "志愿服务时长（小时）",
    "链接资源价值（元）",
    "新登记服务对象",
    "新开个案",
    "结案数",
    "期末在案数",
    "逾期未访个案（截至导出时）",
    "待审核（截至导出时）",
    "走访次数",
    "走访时长（分钟）",
    "走访人次",
    "走访户次",
    "在册人数",
    "已覆盖人数",
    "覆盖率",
    "逾期未访（截至导出时）",
    "在册：兜底保障",
    "在册：困境/留守儿童关爱",
    "在册：老年人关爱",
    "在册：残疾人关爱",
    "在册：其他",
    "服务人数：老年人",
    "服务人数：未成年人",
    "服务人数：残疾人",
    "服务人数：低保、特困及低保边缘对象",
    "服务人数：困境儿童（含孤儿、事实无人抚养、留守儿童）",
    "服务人数：其他",
    "服务人数：男",
    "服务人数：女",
];

/// The programmes of the roster columns, in the order of their headers.
const PROGRAMMES: [Programme; 5] =
    [Programme::BasicProtection, Programme::ChildCare, Programme::ElderCare, Programme::DisabilityCare, Programme::Other];

enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    /// A share (0 to 1), kept to four decimals.
    Share(f64),
    Empty,
}

fn cells(unit: &str, month: Option<&str>, f: &Figures) -> Vec<Cell> {
    let opt = |v: Option<i64>| v.map(Cell::Int).unwrap_or(Cell::Empty);
    vec![
        Cell::Text(unit.to_owned()),
        month.map(|m| Cell::Text(m.to_owned())).unwrap_or(Cell::Empty),
        Cell::Int(f.people_served),
        Cell::Int(f.person_times),
        Cell::Int(f.sessions.individual),
        Cell::Int(f.sessions.group),
        Cell::Int(f.sessions.community),
        Cell::Int(f.minutes.individual),
        Cell::Int(f.minutes.group),
        Cell::Int(f.minutes.community),
        Cell::Int(f.community_participants),
        Cell::Num(f.volunteer_hours),
        Cell::Num(f.resources_value_yuan),
        Cell::Int(f.clients_registered),
        Cell::Int(f.cases_opened),
        Cell::Int(f.cases_closed),
        opt(f.open_at_end),
        opt(f.overdue_cases),
        opt(f.pending_reviews),
        Cell::Int(f.sessions.visit),
        Cell::Int(f.minutes.visit),
        Cell::Int(f.visit_person_times),
        Cell::Int(f.household_visits),
        opt(f.roster_active),
        opt(f.roster_covered),
        f.roster_coverage.map(Cell::Share).unwrap_or(Cell::Empty),
        opt(f.overdue_visits),
    ]
    .into_iter()
    .chain(
        PROGRAMMES.iter().map(|p| {
            opt(f.roster_by_programme.as_ref().map(|by| by.get(p.code()).map(|levels| levels.values().sum()).unwrap_or(0)))
        }),
    )
    .chain(PopulationGroup::ALL.iter().map(|g| Cell::Int(f.people_served_by_group.get(g.code()).copied().unwrap_or(0))))
    .chain(["male", "female"].iter().map(|g| Cell::Int(f.people_served_by_gender.get(*g).copied().unwrap_or(0))))
    .collect()
}

fn table(out: &StatsOut) -> Vec<Vec<Cell>> {
    let mut rows: Vec<Vec<Cell>> = out
        .rows
        .iter()
        .map(|r| cells(r.org_unit_name.as_deref().unwrap_or(&out.org_unit_name), r.month.as_deref(), &r.figures))
        .collect();
    rows.push(cells(&format!("{}（合计）", out.org_unit_name), None, &out.total));
    rows
}

/// A text cell as a spreadsheet program will not run it: a cell that starts like a formula
/// (`=`, `+`, `-`, `@`, or a tab or carriage return before one) gets a leading apostrophe, the
/// usual marker for "this is text". A unit named `=HYPERLINK(…)` stays a name.
fn inert(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

fn csv(rows: &[Vec<Cell>]) -> Result<Vec<u8>, csv::Error> {
    // The byte-order mark makes spreadsheet programs read the Chinese headers as UTF-8.
    let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer("\u{feff}".as_bytes().to_vec());
    out.write_record(HEADERS)?;
    for row in rows {
        out.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => inert(s).into_owned(),
            Cell::Int(n) => n.to_string(),
            Cell::Num(x) => format!("{x:.2}"),
            Cell::Share(x) => format!("{x:.4}"),
            Cell::Empty => String::new(),
        }))?;
    }
    out.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The figures as a spreadsheet: `xlsx` (with a category sheet) or `csv` (UTF-8 with BOM, so
/// spreadsheet programs read the Chinese headers right).
pub async fn export(state: &AppState, actor: &Actor, query: &StatsQuery, format: &str) -> Result<Export, AppError> {
    let format = match format {
        "xlsx" => SheetFormat::Xlsx,
        "csv" => SheetFormat::Csv,
        _ => {
            return Err(AppError::field(
                "format",
                "invalid",
                Text::new("format 只能为 xlsx 或 csv。", "format is `xlsx` or `csv`."),
            ))
        }
    };
    let out = stats(state, actor, query).await?;
    let file_name = format!("shegong-stats-{}-{}.{}", out.from, out.to, format.extension());
    let rows = table(&out);
    let bytes = match format {
        SheetFormat::Csv => csv(&rows).map_err(|e| AppError::internal(anyhow::anyhow!("writing csv: {e}")))?,
        SheetFormat::Xlsx => xlsx(&out, &rows).map_err(|e| AppError::internal(anyhow::anyhow!("writing xlsx: {e}")))?,
    };
    Ok(Export { bytes, format, file_name })
}

fn xlsx(out: &StatsOut, rows: &[Vec<Cell>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.00%");
    let sheet = book.add_worksheet().set_name("服务统计")?;
    sheet.write_string_with_format(0, 0, format!("{} 服务统计 {} 至 {}", out.org_unit_name, out.from, out.to), &bold)?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, if c == 0 { 28 } else { 14 })?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 3;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => sheet.write_string(r, c, s)?,
                Cell::Int(n) => sheet.write_number(r, c, *n as f64)?,
                Cell::Num(x) => sheet.write_number(r, c, *x)?,
                Cell::Share(x) => sheet.write_number_with_format(r, c, *x, &percent)?,
                Cell::Empty => sheet,
            };
        }
    }
    let categories = book.add_worksheet().set_name("服务对象类别")?;
    for (c, h) in ["单位", "月份", "类别", "新登记人数"].iter().enumerate() {
        categories.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut r = 1;
    let lines = out
        .rows
        .iter()
        .map(|row| (row.org_unit_name.clone().unwrap_or_else(|| out.org_unit_name.clone()), row.month.clone(), &row.figures))
        .chain(std::iter::once((format!("{}（合计）", out.org_unit_name), None, &out.total)));
    for (unit, month, f) in lines {
        for (code, n) in &f.clients_by_category {
            let label = code.parse::<crate::domain::enums::ClientCategory>().map(|c| {
                use crate::domain::labels::Coded;
                c.zh()
            });
            categories.write_string(r, 0, &unit)?;
            if let Some(m) = &month {
                categories.write_string(r, 1, m)?;
            }
            categories.write_string(r, 2, label.unwrap_or(code))?;
            categories.write_number(r, 3, *n as f64)?;
            r += 1;
        }
    }
    roster_sheet(&mut book, out, &bold)?;
    book.save_to_buffer()
}

/// The roster at the end by programme and level (在册台账分级), one line per unit row that has
/// the roster's figures, and the total.
fn roster_sheet(
    book: &mut rust_xlsxwriter::Workbook,
    out: &StatsOut,
    bold: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use crate::domain::enums::RiskLevel;
    let sheet = book.add_worksheet().set_name("台账分级")?;
    for (c, h) in ["单位", "月份", "项目", "等级", "在册人数"].iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, bold)?;
    }
    let lines = out
        .rows
        .iter()
        .map(|row| (row.org_unit_name.clone().unwrap_or_else(|| out.org_unit_name.clone()), row.month.clone(), &row.figures))
        .chain(std::iter::once((format!("{}（合计）", out.org_unit_name), None, &out.total)));
    let mut r = 1;
    for (unit, month, f) in lines {
        for (programme, levels) in f.roster_by_programme.iter().flatten() {
            for (level, n) in levels {
                sheet.write_string(r, 0, &unit)?;
                if let Some(m) = &month {
                    sheet.write_string(r, 1, m)?;
                }
                sheet.write_string(r, 2, Programme::from_code(programme).map(|p| p.zh()).unwrap_or(programme))?;
                sheet.write_string(r, 3, RiskLevel::from_code(level).map(|l| l.zh()).unwrap_or(level))?;
                sheet.write_number(r, 4, *n as f64)?;
                r += 1;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod export_tests {
    use super::*;

    #[test]
    fn csv_cells_never_start_a_formula_and_quote_what_needs_it() {
        let mut row = vec![
            Cell::Text("=HYPERLINK(\"http://x\")".into()),
            Cell::Text("@SUM(A1)".into()),
            Cell::Text("\t-1".into()),
            Cell::Text("甲,乙".into()),
            Cell::Int(-3),
        ];
        row.resize_with(HEADERS.len(), || Cell::Empty);
        let rows = vec![row];
        let text = String::from_utf8(csv(&rows).expect("csv")).expect("utf-8");
        let line = text.lines().nth(1).expect("a data line");
        assert!(line.starts_with("\"'=HYPERLINK(\"\"http://x\"\")\",'@SUM(A1),'\t-1,\"甲,乙\",-3,"), "{line}");
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("\r\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::{cells, whole_month_years, whole_months, Figures, HEADERS};
    use crate::domain::enums::PopulationGroup;
    use crate::domain::labels::Coded;
    use chrono::NaiveDate;

    #[test]
    fn every_column_has_its_header_and_the_groups_theirs() {
        assert_eq!(cells("单位", None, &Figures::default()).len(), HEADERS.len());
        let groups = &HEADERS[HEADERS.len() - PopulationGroup::ALL.len() - 2..HEADERS.len() - 2];
        for (header, group) in groups.iter().zip(PopulationGroup::ALL) {
            assert_eq!(*header, format!("服务人数：{}", group.zh()));
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn whole_months_inside_a_period() {
        // 1 January to 1 December inclusive: eleven whole months and one day.
        assert_eq!(whole_months(d(2026, 1, 1), d(2026, 12, 2)), Some((d(2026, 1, 1), d(2026, 12, 1))));
        // A period of whole months only.
        assert_eq!(whole_months(d(2026, 3, 1), d(2026, 5, 1)), Some((d(2026, 3, 1), d(2026, 5, 1))));
        // Ragged at both ends, across a year.
        assert_eq!(whole_months(d(2025, 11, 15), d(2026, 2, 10)), Some((d(2025, 12, 1), d(2026, 2, 1))));
        // Inside one month, or from mid-month to the next month's end but one day.
        assert_eq!(whole_months(d(2026, 4, 2), d(2026, 4, 30)), None);
        assert_eq!(whole_months(d(2026, 4, 2), d(2026, 5, 31)), None);
        assert_eq!(whole_months(d(2026, 4, 2), d(2026, 6, 1)), Some((d(2026, 5, 1), d(2026, 6, 1))));
    }

    #[test]
    fn the_months_of_each_year() {
        let years = |from, end| whole_month_years(whole_months(from, end));
        // January to November of one year.
        assert_eq!(years(d(2026, 1, 1), d(2026, 12, 2)), ((2026, 2026), (0b0111_1111_1111, 0b0111_1111_1111)));
        // December 2025 to January 2026, ragged at both ends.
        assert_eq!(years(d(2025, 11, 15), d(2026, 2, 10)), ((2025, 2026), (0b1000_0000_0000, 0b0000_0000_0001)));
        // A whole year and two months around it; the years between the two ends are whole.
        assert_eq!(years(d(2024, 11, 1), d(2027, 3, 1)), ((2024, 2027), (0b1100_0000_0000, 0b0000_0000_0011)));
        // Ending with December: the last year is that December's.
        assert_eq!(years(d(2025, 1, 1), d(2026, 1, 1)), ((2025, 2025), (0b1111_1111_1111, 0b1111_1111_1111)));
        // One month.
        assert_eq!(years(d(2026, 5, 1), d(2026, 6, 1)), ((2026, 2026), (0b0000_0001_0000, 0b0000_0001_0000)));
        // No whole month: no year at all.
        let ((a, b), _) = years(d(2026, 4, 2), d(2026, 4, 30));
        assert!(a > b);
    }
}
