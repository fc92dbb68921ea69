"""Static analysis of Firestore security rules: a lark grammar, a parsed model, and audits."""
