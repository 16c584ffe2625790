if header :matches "subject" "Quarterly\\*" { discard; }
