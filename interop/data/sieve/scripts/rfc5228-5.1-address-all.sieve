if address :is :all "from" "sender@example.com" { discard; }
