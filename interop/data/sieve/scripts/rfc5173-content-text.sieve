require ["body", "fileinto"];
if body :content "text" :contains "missile" {
    fileinto "INBOX.Secret";
}
