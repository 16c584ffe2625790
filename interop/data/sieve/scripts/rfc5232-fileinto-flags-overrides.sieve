require ["imap4flags","fileinto"];
setflag "\\Flagged";
fileinto :flags "\\Seen" "Archive";
keep;
