"""GOV.UK-styled pages for people: ``router.py`` lists them, ``routes/`` holds one per page.

Pages get child data only from ``services.door`` as ``policy.views`` models, and show only
the fields a view holds (``presenters.py``). ``pages.PageRoute`` turns core errors into
GOV.UK error pages, sends the signed-out to ``/sign-in`` and checks CSRF tokens;
``headers.py`` sets the security headers.
"""
