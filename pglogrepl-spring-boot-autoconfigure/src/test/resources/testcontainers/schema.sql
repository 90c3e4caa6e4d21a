CREATE TABLE IF NOT EXISTS tc_orders (id bigserial PRIMARY KEY, item text NOT NULL);
