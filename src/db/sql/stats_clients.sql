-- Clients registered in the period, in total and by category (a client in two categories
-- counts once in the total and once in each category).
, c AS (
    SELECT c.categories, un.bucket,
           CASE WHEN $6 THEN to_char(c.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') END AS month
    FROM clients c JOIN units un ON un.id = c.org_unit_id
    WHERE c.deleted_at IS NULL AND c.created_at >= $3 AND c.created_at < $4
)
SELECT CASE WHEN grouping(bucket, month) = 0 THEN bucket END AS bucket,
       CASE WHEN grouping(bucket, month) = 0 THEN month END AS month,
       NULL::text AS label, count(*) AS n
FROM c GROUP BY GROUPING SETS ((bucket, month), ())
UNION ALL
SELECT CASE WHEN grouping(bucket, month) = 0 THEN bucket END, CASE WHEN grouping(bucket, month) = 0 THEN month END,
       category, count(*)
FROM (SELECT bucket, month, unnest(categories) AS category FROM c) x
GROUP BY GROUPING SETS ((bucket, month, category), (category))
