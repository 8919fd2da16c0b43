"""Reporters render reports; they never decide verdicts."""

# Here rather than in the modules so the CLI can list them without importing rich or pydantic.
FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github", "markdown", "checklist", "html")
# `care-check checklist --format`: the filled checklist as Markdown, CSV or Word.
CHECKLIST_FORMATS = ("md", "csv", "docx")
# Written file by file as each is checked (memory flat in the number of files); the
# others describe the whole batch and are written at the end.
STREAMED = ("text", "jsonl")
SORTS = ("name", "completeness", "missing")
