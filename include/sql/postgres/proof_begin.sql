-- Adversarial proof of a rewrite: everything it creates lives in this transaction and is rolled back.
BEGIN
