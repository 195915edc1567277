"""The review report a human reads: report.html and its Jinja2 templates."""
