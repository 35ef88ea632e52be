"""Server-rendered pages (Jinja2) for every role, served by the API's process."""
