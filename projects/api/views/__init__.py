"""The API's views: one class per operation, validating input, calling one selector or
``services.execute``, and answering with a presenter's dict."""
