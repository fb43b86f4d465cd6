-- The units of the subtree, each with its bucket: the child of the root it lies under (or the
-- root itself), or the root for all of them when not grouping by unit.
-- Parameters: 1 and 7 bound the root's path range, 2 root id, 3 from, 4 to, 5 by unit, 6 by month.
WITH units AS (
    SELECT u.id, CASE WHEN $5 THEN coalesce(c.id, $2) ELSE $2 END AS bucket
    FROM org_units u
    LEFT JOIN org_units c ON c.parent_id = $2 AND u.path LIKE c.path || '%'
    WHERE u.path >= $1 AND u.path < $7
)
