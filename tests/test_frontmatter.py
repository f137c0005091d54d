"""Front matter parsing: fields, line numbers, and the files it must refuse cleanly."""

from newsarchive.content.frontmatter import parse


def test_fields_and_their_lines():
    text = "---\ntitle: Hello\ndate: 2016-06-22\nimages:\n  - caption: A\n    credit: B\n---\n\nBody\n"
    fm, errors = parse(text, "a.md")
    assert errors == []
    assert fm.values["title"] == "Hello"
    assert fm.values["date"] == "2016-06-22"  # kept as text: we parse dates ourselves
    assert fm.line("title") == 2
    assert fm.line("date") == 3
    assert fm.line("images", 0, "credit") == 6
    assert fm.line("images", 0, "nonexistent") == 5  # falls back to the parent
    assert fm.body.split("\n").index("Body") + fm.body_line == 9


def test_body_line_counts_blank_lines_after_the_closing_dashes():
    fm, _ = parse("---\ntitle: x\n---\n\n\n\nBody\n", "a.md")
    assert fm.body.split("\n").index("Body") + fm.body_line == 7


def test_duplicate_key_is_an_error_naming_both_lines():
    _, errors = parse("---\ntitle: a\noutlet: x\ntitle: b\n---\n", "a.md")
    assert len(errors) == 1
    assert errors[0].line == 4 and errors[0].field == "title"
    assert "first on line 2" in errors[0].message


def test_invalid_yaml_reports_its_line():
    _, errors = parse("---\ntitle: a\ndate: [unclosed\noutlet: b\n---\n", "a.md")
    assert len(errors) == 1
    assert errors[0].line in (3, 4, 5)
    assert "invalid YAML" in errors[0].message


def test_python_tags_never_construct_objects():
    _, errors = parse("---\ntitle: !!python/object/apply:os.system ['echo hacked']\n---\n", "a.md")
    assert errors and errors[0].line == 2
    assert "tags are not allowed" in errors[0].hint


def test_front_matter_must_be_a_mapping():
    _, errors = parse("---\n- a\n- b\n---\n", "a.md")
    assert "found a list" in errors[0].message


def test_empty_and_missing_front_matter():
    assert "empty" in parse("", "a.md")[1][0].message
    assert "does not start with front matter" in parse("# Title\n", "a.md")[1][0].message
    assert "never closed" in parse("---\ntitle: x\n", "a.md")[1][0].message
    assert "empty" in parse("---\n---\nbody\n", "a.md")[1][0].message
