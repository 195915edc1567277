"""What is checked and by whom: the rules, the arithmetic, suggestions, a reviewer's corrections, schema validation."""
