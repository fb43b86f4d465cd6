WITH units AS (
    SELECT u.id, CASE WHEN $5 THEN coalesce(c.id, $2) ELSE $2 END AS bucket
    FROM org_units u
    LEFT JOIN org_units c ON c.parent_id = $2 AND u.path LIKE c.path || '%'
    WHERE u.path LIKE $1 || '%'
)
