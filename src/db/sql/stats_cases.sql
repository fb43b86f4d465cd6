-- Case figures: opened and closed in the period (by their own dates), and, at the period's
-- end or now, what is open, by risk level, what is overdue, and what waits for review.
-- `label` says which figure a row is: opened | closed:<reason> | open:<risk> | overdue | pending_reviews.
, k AS (SELECT k.status, k.risk_level, k.opened_at, k.closed_at, k.closure_reason, k.visit_due_at, un.bucket
         FROM cases k JOIN units un ON un.id = k.org_unit_id)
SELECT CASE WHEN grouping(bucket, month) = 0 THEN bucket END AS bucket,
       CASE WHEN grouping(bucket, month) = 0 THEN month END AS month, 'opened' AS label, count(*) AS n
FROM (SELECT bucket, CASE WHEN $6 THEN to_char(opened_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') END AS month
      FROM k WHERE opened_at >= $3 AND opened_at < $4 AND status <> 'not_opened') o
GROUP BY GROUPING SETS ((bucket, month), ())
UNION ALL
SELECT CASE WHEN grouping(bucket, month) = 0 THEN bucket END, CASE WHEN grouping(bucket, month) = 0 THEN month END,
       'closed:' || closure_reason, count(*)
FROM (SELECT bucket, closure_reason, CASE WHEN $6 THEN to_char(closed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') END AS month
      FROM k WHERE status = 'closed' AND closed_at >= $3 AND closed_at < $4) c
GROUP BY GROUPING SETS ((bucket, month, closure_reason), (closure_reason))
UNION ALL
SELECT CASE WHEN grouping(bucket) = 0 THEN bucket END, NULL, 'open:' || risk_level, count(*)
FROM k
WHERE opened_at < $4 AND (closed_at IS NULL OR closed_at >= $4) AND status NOT IN ('not_opened', 'voided')
GROUP BY GROUPING SETS ((bucket, risk_level), (risk_level))
UNION ALL
SELECT CASE WHEN grouping(bucket) = 0 THEN bucket END, NULL, 'overdue', count(*)
FROM k
WHERE visit_due_at < now()
GROUP BY GROUPING SETS ((bucket), ())
UNION ALL
SELECT CASE WHEN grouping(un.bucket) = 0 THEN un.bucket END, NULL, 'pending_reviews', count(*)
FROM reviews r JOIN units un ON un.id = r.org_unit_id
WHERE r.status = 'pending'
GROUP BY GROUPING SETS ((un.bucket), ())
