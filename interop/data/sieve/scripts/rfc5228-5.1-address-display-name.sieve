if address :is "from" "Sam Sender" { discard; }
