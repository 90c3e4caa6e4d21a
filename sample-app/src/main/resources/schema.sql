CREATE TABLE IF NOT EXISTS orders (
    id         bigserial PRIMARY KEY,
    customer   text           NOT NULL,
    amount     numeric(10, 2) NOT NULL,
    status     text           NOT NULL,
    created_at timestamptz    NOT NULL DEFAULT now()
);
