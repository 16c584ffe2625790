require ["fileinto","mailbox"];
if mailboxexists "Archive" { fileinto "Archive"; } else { keep; }
