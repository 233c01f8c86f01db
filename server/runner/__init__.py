"""Code that runs inside the user's interpreter: the only place torch or mindspore is imported."""
