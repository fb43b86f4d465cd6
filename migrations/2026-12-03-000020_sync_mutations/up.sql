-- The outcome of every pushed offline mutation (POST /sync/batch), per user and mutation id: the
-- same mutation pushed again (a batch replayed after a lost response) answers this stored result
-- as a duplicate and writes nothing.
CREATE TABLE sync_mutations (
    user_id     uuid        NOT NULL REFERENCES users (id),
    mutation_id uuid        NOT NULL,
    entity      text        NOT NULL,
    op          text        NOT NULL,
    record_id   uuid        NOT NULL,
    result      jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, mutation_id)
);
