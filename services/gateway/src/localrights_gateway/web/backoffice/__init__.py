"""What the back-office pages (publishers, institution officers, ministries) share: plain
error messages for the API's refusals, pickers by name, the session kept while people work."""
