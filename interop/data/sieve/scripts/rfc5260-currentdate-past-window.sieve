require ["date","relational","vacation"];
if currentdate :value "le" "date" "2007-07-07" { vacation "gone"; }
