if address :localpart :is "to" "recipient" { redirect "lp@example.net"; }
