if allof (header :contains "subject" "report", address :domain "from" "example.com") { redirect "both@example.net"; }
