require ["imap4flags","relational","comparator-i;ascii-numeric","fileinto"];
addflag ["a","b","c"];
if hasflag :count "ge" :comparator "i;ascii-numeric" "2" { fileinto "INBOX.mark"; }
