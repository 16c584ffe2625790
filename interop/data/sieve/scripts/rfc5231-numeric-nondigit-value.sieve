require ["relational","comparator-i;ascii-numeric","fileinto"];
if header :value "gt" :comparator "i;ascii-numeric" "subject" "99999" { fileinto "subject-is-infinity"; }
