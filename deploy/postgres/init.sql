-- Runs once, when the PostgreSQL volume is created. Temporal's auto-setup
-- creates its own databases (temporal, temporal_visibility).
CREATE DATABASE jobflow;
