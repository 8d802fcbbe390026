"""Sign in, sign out and reset a forgotten password by email, on Chinese pages."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get("/newsroom/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/newsroom/"


def test_the_login_page_is_in_chinese(client, db):
    html = client.get("/accounts/login/").content.decode()

    assert "登录编辑部" in html
    assert "忘记密码？" in html
    assert 'data-test="login-form"' in html


def test_signing_in_lands_on_the_dashboard(client, writer):
    response = client.post("/accounts/login/", {"username": "writer", "password": "pw-writer"})

    assert response.status_code == 302
    assert response["Location"] == "/newsroom/"
    assert "工作台" in client.get("/newsroom/").content.decode()


def test_a_wrong_password_is_a_clear_message(client, writer):
    response = client.post("/accounts/login/", {"username": "writer", "password": "nope"})

    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_signing_out_is_a_post(client, writer):
    client.force_login(writer)

    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get("/newsroom/").status_code == 302


def test_a_password_reset_by_email(client, writer):
    response = client.post("/accounts/password_reset/", {"email": "writer@example.org"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "新质生产力每日动态编辑部：重设密码"
    assert "您的用户名：writer" in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    assert "设置新密码" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "新的-Passw0rd-2026", "new_password2": "新的-Passw0rd-2026"},
    )

    assert done.status_code == 302
    signed_in = client.post("/accounts/login/", {"username": "writer", "password": "新的-Passw0rd-2026"})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/newsroom/"


def test_a_reset_for_an_unknown_email_says_the_same_and_sends_nothing(client, db):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"}, follow=True)

    assert "请查收邮件" in response.content.decode()
    assert mail.outbox == []


def test_a_used_reset_link_is_explained(client, writer):
    html = client.get("/accounts/reset/MQ/invalid-token/", follow=True).content.decode()

    assert "链接已失效" in html
