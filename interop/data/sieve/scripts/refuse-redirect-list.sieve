redirect ["a@example.org", "b@example.org"];
