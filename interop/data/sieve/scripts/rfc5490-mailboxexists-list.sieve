require ["fileinto","mailbox"];
if mailboxexists ["Junk", "INBOX"] { fileinto "Junk"; }
