if header :matches "subject" "*report*" { discard; }
