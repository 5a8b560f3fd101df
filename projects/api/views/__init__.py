"""The API's views: one class per operation, validating input, calling one selector or
``projects.application.handle``, and answering with a presenter's dict."""
