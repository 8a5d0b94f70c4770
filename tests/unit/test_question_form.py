"""What the question form shows and suggests, without a browser: the prompt preview renders Markdown but escapes raw
HTML and neutralises script links (a prompt is text from any member or imported file), and a slug is suggested from
the title in the shape questions.Question accepts."""

import pytest

from pages.question_form import PromptView, prompt_html, slug_of
from questions import Question


@pytest.mark.parametrize('hostile', ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>',
                                     '<a href="javascript:alert(1)">x</a>', '<iframe src="//evil"></iframe>',
                                     '<svg onload=alert(1)>'])
def test_raw_html_in_a_prompt_is_shown_as_text(hostile):
    html = prompt_html(f'Intro {hostile} end')
    assert '<' + hostile[1:] not in html and '&lt;' in html


def test_markdown_still_renders_and_script_links_are_neutralised():
    html = prompt_html('# Title\n\nRead **n**.\n\n```\nif a < b: pass\n```\n\n[x](javascript:alert(1))')
    assert '<h1>Title</h1>' in html and '<strong>n</strong>' in html and 'if a &lt; b: pass' in html
    assert 'javascript:' not in html


@pytest.mark.parametrize('title, slug', [('FizzBuzz up to n', 'fizzbuzz-up-to-n'),
                                         ('<img src=x onerror=alert(1)>', 'img-src-x-onerror-alert-1'),
                                         ('Zählen & Ordnen', 'z-hlen-ordnen'), ('!!!', 'question'),
                                         ('x' * 100, 'x' * 64)])
def test_a_slug_is_suggested_from_the_title(title, slug):
    assert slug_of(title) == slug
    Question(slug=slug_of(title), title='t', prompt='')  # accepted by the model


def test_the_preview_element_holds_the_escaped_html():
    view = PromptView('**n** <img src=x onerror=alert(1)>')
    assert view.props['innerHTML'] == prompt_html('**n** <img src=x onerror=alert(1)>')
    assert '<img' not in view.props['innerHTML'] and view.props['sanitize'] is True  # and DOMPurify in the browser
