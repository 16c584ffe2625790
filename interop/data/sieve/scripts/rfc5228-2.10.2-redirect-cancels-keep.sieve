redirect "a@example.net";
