if not header :contains "subject" "report" { discard; }
