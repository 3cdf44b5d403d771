"""Slash-command text -> candidate fields (pure)."""
import pytest

from bot.slack.errors import InputError
from bot.slack.parsing import MAX_TEXT, extract_details, parse_command

EVM = "0x52908400098527886E0F7030069857D2E4169EE7"


def problems(text):
    with pytest.raises(InputError) as info:
        parse_command(text)
    return " | ".join(info.value.problems)


def test_key_value_pairs_with_quotes():
    parsed = parse_command('name="Jane Roe" email=jane@example.com phone=+14155550100 '
                           f'location="Austin, TX" wallet={EVM} github=janeroe resume=F0123ABCD')
    assert parsed.fields == {"name": "Jane Roe", "email": "jane@example.com", "phone": "+14155550100",
                             "location": "Austin, TX", "wallet": EVM, "github": "janeroe"}
    assert parsed.resume_file_id == "F0123ABCD"


def test_curly_quotes_single_quotes_and_case_insensitive_keys():
    parsed = parse_command("Name=“Jane O’Brien” LOCATION='Austin, TX'")
    assert parsed.fields == {"name": "Jane O'Brien", "location": "Austin, TX"}


def test_bare_tokens_are_recognised_and_words_form_the_name():
    parsed = parse_command(f"Jane Roe jane@example.com +1-415-555-0100 {EVM} https://github.com/janeroe")
    assert parsed.fields == {"name": "Jane Roe", "email": "jane@example.com", "phone": "+1-415-555-0100",
                             "wallet": EVM, "github": "https://github.com/janeroe"}


def test_slack_link_markup_is_unwrapped():
    parsed = parse_command("<mailto:jane@example.com|jane@example.com> <tel:+14155550100|+1 415 555 0100> "
                           "github=<https://github.com/janeroe|github.com/janeroe> "
                           "<https://acme.slack.com/files/U0USER/F0RESUME9/cv.pdf|cv.pdf>")
    assert parsed.fields == {"email": "jane@example.com", "phone": "+14155550100",
                             "github": "https://github.com/janeroe"}
    assert parsed.resume_file_id == "F0RESUME9"


def test_html_entities_from_slack_are_decoded_once():
    assert parse_command('name="A &amp; B &lt;x&gt;"').fields["name"] == "A & B <x>"


@pytest.mark.parametrize(("text", "expected"), [
    ("name=Jane colour=red size=9", "unknown keys `colour=`, `size=`"),
    ("name=Jane name=Joan", "name is given twice (name=)"),
    ("email=a@b.co a@c.co", "email is given twice (as `a@c.co`)"),
    ('name="Jane', "the quote after name= is not closed"),
    ("name=", "name= has no value"),
    ("name=Jane Roe", "unexpected words `Roe`"),
    ("phone=+1 415 555 0100", "not an email, phone, wallet, GitHub link or Slack file: `415`, `555`, `0100` "
                              "(values with spaces need quotes"),
    ("resume=https://evil.example/cv.pdf", "resume= takes a Slack file ID"),
    ("<@U0BOSS> <!subteam^S1|@sec>", "mentions and channel links are not candidate details"),
    ('""', "nothing to check"),
    ("name=" + "x" * 250, "name is 250 characters long; the limit is 200"),
])
def test_specific_problems(text, expected):
    assert expected in problems(text)


def test_over_long_text_is_refused_before_parsing():
    assert f"the limit is {MAX_TEXT}" in problems("a " * MAX_TEXT)


def test_every_problem_is_listed_at_once():
    found = problems("foo=1 name=A name=B")
    assert "unknown key `foo=`" in found and "name is given twice" in found


def test_error_message_lists_valid_keys_and_never_echoes_mentions():
    with pytest.raises(InputError) as info:
        parse_command("name=Jane <!channel> bogus=<@U0BOSS>")
    message = info.value.user_message()
    assert "Valid keys: name, email, phone, location, wallet, github, resume" in message
    assert "<!channel>" not in message and "<@U0BOSS>" not in message


def test_extract_details_is_lenient():
    parsed = extract_details("Candidate for backend role.\n*Name:* Jane Roe\nLocation: Austin, TX\n"
                             "reach her at <mailto:jane@example.com|jane@example.com> (mobile +14155550100).")
    assert parsed.fields == {"name": "Jane Roe", "location": "Austin, TX", "email": "jane@example.com",
                             "phone": "+14155550100"}
