"""The WeChat Official Account channel: an approved issue pushed into the account's 草稿箱 (draft box) and, when
asked, published (发布).

- client.py: the HTTP client of the official API (stable_token, uploads, draft/*, freepublish/*) and its errors;
- errors.py: what each errcode means for the admin, in Chinese, and whether trying again can help;
- images.py / cover.py: images turned into what the API accepts, and the generated cover;
- article.py: the article's title, author and digest within WeChat's limits;
- push.py: the one push service the Celery task (publishing.tasks.push_wechat), the command and the newsroom call.
"""
