-- The proof's scratch schema (:schema is a quoted identifier, resources.quote_identifier).
CREATE SCHEMA {{ schema }}
