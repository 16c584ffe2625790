require ["reject"];
redirect "a@example.net";
reject "no";
