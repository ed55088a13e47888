"""Services: the use cases behind the routes, built from domain rules and repositories."""
