require ["fileinto","mailbox"];
if mailboxexists "Nonexistent" { fileinto "x"; } else { fileinto "missing"; }
