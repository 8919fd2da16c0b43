"""Reporters render reports; they never decide verdicts."""

# Here rather than in the modules so the CLI can list them without importing rich or pydantic.
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "checklist", "html")
# `care-check checklist --format`: the filled checklist as Markdown, CSV or Word.
CHECKLIST_FORMATS = ("md", "csv", "docx")
SORTS = ("name", "completeness", "missing")
