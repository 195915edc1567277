"""The form document (the JSON contract), the intermediate form every reader produces, JSON pointers, input errors."""
