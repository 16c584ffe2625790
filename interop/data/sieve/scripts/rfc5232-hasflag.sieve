require ["imap4flags","fileinto"];
addflag "\\Seen Work";
if hasflag :contains "work" { fileinto "hasflag"; }
