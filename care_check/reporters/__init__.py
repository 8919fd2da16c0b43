"""Reporters render reports; they never decide verdicts."""

# Here rather than in the modules so the CLI can list them without importing rich or pydantic.
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "checklist")
SORTS = ("name", "completeness", "missing")
