if header :is "SUBJECT" "Quarterly report: make money fast" { discard; }
