"""render/wrap.py: cut by word, in cells, with a hanging indent; commands never split."""

from hypothesis import given
from hypothesis import strategies as st

from smtp_tutor.render.wrap import cells, hanging, wrap


def test_cells_count_what_the_terminal_shows():
    assert cells("Phở") == 3  # precomposed, one cell each
    assert cells("Pho\u031b\u0309") == 3  # combining marks take no cell
    assert cells("邮件") == 4


def test_a_backquoted_command_and_a_program_run_stay_whole():
    text = "Send it with `MAIL FROM:<alice@crepes.fr> SMTPUTF8`, then try: dig @127.0.0.1 -p 5353 MX hamburger.edu  (UDP)"
    lines = wrap(text, 30)
    assert any("`MAIL FROM:<alice@crepes.fr> SMTPUTF8`," in line for line in lines)
    assert any("dig @127.0.0.1 -p 5353 MX hamburger.edu" in line for line in lines)


def test_continuations_hang_under_the_text():
    reply = "S: 250-hamburger.edu Hello crepes.fr, pleased to meet you, and a long tail of words"
    lines = hanging(reply, 40)
    assert len(lines) > 1 and all(line.startswith("   ") for line in lines[1:])
    listed = ":cert [save FILE]    the server's certificate after TLS, explained or saved"
    assert all(line.startswith(" " * 21) for line in hanging(listed, 50)[1:])
    assert hanging("   ⚠ one two three four five six seven", 20)[1].startswith("   ")


def test_nothing_is_cut_without_a_width():
    line = "x " * 100
    assert hanging(line, None) == [line] and wrap(line, None) == [line]


@given(st.lists(st.sampled_from(["a", "bb", "Phở", "`C D`", "xin", "chào", "—"]), max_size=30),
       st.integers(10, 80))
def test_words_are_kept_in_order_and_lines_fit(words, width):
    text = " ".join(words)
    lines = wrap(text, width)
    assert " ".join(" ".join(lines).split()) == " ".join(text.split())
    assert all(cells(line) <= width for line in lines)  # every unit here fits the width


def test_the_world_banner_never_splits_what_it_tells_you_to_copy():
    """D21: `dig … MX hamburger.edu` and `smtp-tutor connect … --cafile PATH` stay whole."""
    import io

    from smtp_tutor.knowledge.catalogue import say
    from smtp_tutor.render.terminal import TerminalRenderer

    out = io.StringIO()
    renderer = TerminalRenderer("en", out, width=60, color=False)
    renderer.text(say("world", "banner_dns", "en", port=48540))
    renderer.text(say("world", "banner_try", "en", submission=3487, ca="/root/.local/share/smtp-tutor/ca.pem"))
    text = out.getvalue()
    assert "dig @127.0.0.1 -p 48540 MX hamburger.edu" in text
    assert "smtp-tutor connect 127.0.0.1 3487 --cafile /root/.local/share/smtp-tutor/ca.pem" in text
    assert all(line.startswith(" ") for line in text.splitlines()[1:] if line.strip()
               and not line.startswith(("DNS", "As Alice")))
