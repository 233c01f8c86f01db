;;; mindport.el --- mindport (PyTorch to MindSpore) language server for eglot  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: languages, tools
;; SPDX-License-Identifier: Apache-2.0

;;; Commentary:

;; Runs `mindport serve' for Python buffers through eglot (built into Emacs 29+; Debian 12's
;; Emacs 28 gets it from the `elpa-eglot' package), with mindport's settings sent as
;; initializationOptions and as the "mindport" section of workspace/configuration, and commands
;; for the server's run features:
;;
;;   (require 'mindport)
;;   (setq mindport-server-command '("/path/to/.venv/bin/mindport" "serve"))
;;   (setq mindport-settings '(:device "CPU" :severity (:consistent "hint")))
;;   (mindport-eglot-setup)                  ; then M-x eglot in a Python buffer
;;
;; Commands: `mindport-convert-file', `mindport-run-alignment', `mindport-run-profile',
;; `mindport-open-report', `mindport-doctor'.  Eglot runs one server per major mode: with
;; mindport set up, Python buffers get mindport instead of another Python server.

;;; Code:

(require 'cl-lib)
(require 'eglot)
(require 'jsonrpc)

(defgroup mindport nil
  "PyTorch to MindSpore porting through the mindport language server."
  :group 'tools
  :prefix "mindport-")

(defcustom mindport-server-command '("mindport" "serve")
  "The command that starts the mindport language server over stdio.
For example (\"/path/to/.venv/bin/mindport\" \"serve\") or
\(\"/path/to/.venv/bin/python\" \"-m\" \"server.cli\" \"serve\")."
  :type '(repeat string))

(defcustom mindport-settings nil
  "Server settings as a plist, keys as in the settings table of mindport's README.
For example (:device \"Ascend\" :mode \"graph\" :severity (:consistent \"hint\")).
Booleans are t and :json-false.  Sent as initializationOptions and as the
\"mindport\" section of workspace/configuration; a :mindport section of
`eglot-workspace-configuration' (e.g. in .dir-locals.el) takes precedence."
  :type 'plist)

(defcustom mindport-major-modes '(python-mode python-ts-mode)
  "Major modes whose buffers mindport serves."
  :type '(repeat symbol))

(defconst mindport-commands
  '((convert . "mindport.convertFile")
    (align . "mindport.runAlignment")
    (profile . "mindport.runProfile")
    (report . "mindport.openReport")
    (doctor . "mindport.doctor"))
  "The server commands (workspace/executeCommand) behind the interactive commands.")

(defclass eglot-mindport (eglot-lsp-server) ()
  :documentation "The mindport language server.")

(defcustom mindport-trusted-workspace nil
  "When non-nil, tell the server the workspace is trusted.
Only then does it honour settings that name a program (`python') from the
workspace's pyproject.toml; see docs/security.md."
  :type 'boolean)

(cl-defmethod eglot-initialization-options ((_server eglot-mindport))
  "Send `mindport-settings' (and the workspace trust) as initializationOptions."
  (let ((options (copy-sequence mindport-settings)))
    (when mindport-trusted-workspace
      (setq options (plist-put options :trustedWorkspace t)))
    (or options eglot--{})))

(cl-defmethod eglot-client-capabilities ((_server eglot-mindport))
  "Eglot's capabilities, plus window/showDocument (reports, converted files)."
  (let* ((caps (copy-sequence (cl-call-next-method)))
         (window (copy-sequence (plist-get caps :window))))
    (plist-put caps :window (plist-put window :showDocument '(:support t)))))

(cl-defmethod eglot-handle-request
  ((server eglot-mindport) (_method (eql workspace/configuration)) &rest args)
  "Answer the \"mindport\" section with `mindport-settings'.
A :mindport section the project sets in `eglot-workspace-configuration' wins."
  (let ((answers (apply #'cl-call-next-method server 'workspace/configuration args))
        (items (plist-get args :items)))
    (apply #'vector
           (cl-loop for answer across answers
                    for item across items
                    collect (if (and (null answer)
                                     (equal (plist-get item :section) "mindport"))
                                (or mindport-settings eglot--{})
                              answer)))))

(cl-defmethod eglot-handle-request
  ((_server eglot-mindport) (_method (eql window/showDocument))
   &key uri external takeFocus selection &allow-other-keys)
  "Open what the server shows: HTML reports in the browser, files in a buffer."
  (if (or (eq external t) (string-match-p "\\.html?\\'" uri))
      (browse-url uri)
    (let ((buffer (find-file-noselect (eglot--uri-to-path uri))))
      (if (eq takeFocus :json-false) (display-buffer buffer) (pop-to-buffer buffer))
      (when selection
        (with-current-buffer buffer
          (goto-char (eglot--lsp-position-to-point (plist-get selection :start)))))))
  '(:success t))

(cl-defmethod eglot-handle-request
  ((server eglot-mindport) (_method (eql workspace/applyEdit)) &rest args)
  "Apply an edit that creates a file (the converted `<name>_ms.py').
Eglot before 1.10 only knows text edits: the file is created here, then eglot
applies the text edits to it."
  (let* ((edit (plist-get args :edit))
         (changes (append (plist-get edit :documentChanges) nil))
         (creates (cl-remove-if-not (lambda (c) (equal (plist-get c :kind) "create")) changes)))
    (if (null creates)
        (apply #'cl-call-next-method server 'workspace/applyEdit args)
      (dolist (create creates)
        (let ((path (eglot--uri-to-path (plist-get create :uri)))
              (overwrite (eq (plist-get (plist-get create :options) :overwrite) t)))
          (when (or overwrite (not (file-exists-p path)))
            (write-region "" nil path nil 'silent)
            (let ((buffer (find-buffer-visiting path)))
              (when buffer
                (with-current-buffer buffer (revert-buffer t t t)))))
          (find-file-noselect path)))
      (let ((rest (cl-remove-if (lambda (c) (plist-get c :kind)) changes)))
        (apply #'cl-call-next-method server 'workspace/applyEdit
               (plist-put (copy-sequence args) :edit
                          (plist-put (copy-sequence edit) :documentChanges (vconcat rest))))))))

;;;###autoload
(defun mindport-eglot-setup ()
  "Make eglot start mindport for `mindport-major-modes'."
  (interactive)
  (setq eglot-server-programs
        (cons (cons mindport-major-modes
                    (lambda (&optional _interactive)
                      (cons 'eglot-mindport mindport-server-command)))
              (cl-remove-if (lambda (entry) (equal (car entry) mindport-major-modes))
                            eglot-server-programs))))

(defun mindport--server ()
  "The mindport server managing this buffer."
  (let ((server (eglot-current-server)))
    (unless (and server (cl-typep server 'eglot-mindport))
      (user-error "mindport: no mindport server manages this buffer (M-x eglot)"))
    server))

(defun mindport--offers-p (server command)
  "Whether SERVER lists COMMAND among its executeCommandProvider commands."
  (let* ((provider (plist-get (eglot--capabilities server) :executeCommandProvider))
         (commands (plist-get provider :commands)))
    (and commands (seq-contains-p commands command))))

(defun mindport--convert-message (result)
  "Say what mindport.convertFile's RESULT wrote, or why it wrote nothing."
  (cond
   ((eq (plist-get result :created) t)
    (let ((marked (or (plist-get result :marked) 0)))
      (message "mindport: wrote %s: %s of %s torch sites converted%s"
               (file-name-nondirectory (eglot--uri-to-path (plist-get result :uri)))
               (plist-get result :converted) (plist-get result :found)
               (if (> marked 0) (format "; %d left with a `# mindport:' marker" marked) ""))))
   ((stringp (plist-get result :error))
    (message "mindport: conversion failed: %s" (plist-get result :error)))
   ((stringp (plist-get result :reason))
    (message "mindport: nothing written (%s)" (plist-get result :reason)))))

(defun mindport--summary (command result)
  "One message for COMMAND's RESULT."
  (cond
   ((equal command "mindport.doctor")
    (let ((blocking (cl-remove-if-not
                     (lambda (finding) (eq (plist-get finding :blocks_runs) t))
                     (append (plist-get result :findings) nil))))
      (if (null blocking)
          (format "doctor: nothing blocks runs on %s (torch %s, mindspore %s)"
                  (plist-get result :device)
                  (or (plist-get result :torch_version) "missing")
                  (or (plist-get result :mindspore_version) "missing"))
        (format "doctor: %d problem(s) block runs on %s: %s"
                (length blocking) (plist-get result :device)
                (mapconcat (lambda (f)
                             (concat (plist-get f :check) ": " (plist-get f :message)
                                     (if (stringp (plist-get f :fix))
                                         (concat " (fix: " (plist-get f :fix) ")")
                                       "")))
                           blocking "; ")))))
   ((and (listp result) (stringp (plist-get result :message))) (plist-get result :message))
   ((and (listp result) (stringp (plist-get result :summary))) (plist-get result :summary))
   (t (format "%s done" command))))

(defun mindport--run-targets (server command)
  "The models COMMAND can run in this buffer, from SERVER's code lenses.
An alist of (FACTORY . ARGUMENTS), one per model factory."
  (let ((lenses (jsonrpc-request server :textDocument/codeLens
                                 (list :textDocument (eglot--TextDocumentIdentifier))))
        (targets nil))
    (cl-loop for lens across (or lenses [])
             for cmd = (plist-get lens :command)
             for arguments = (plist-get cmd :arguments)
             when (and (equal (plist-get cmd :command) command) arguments)
             do (let* ((first (aref arguments 0))
                       (label (or (and (listp first) (plist-get first :factory))
                                  (format "%S" arguments))))
                  (unless (assoc label targets)
                    (push (cons label arguments) targets))))
    (nreverse targets)))

(defun mindport--arguments (key server command)
  "The arguments of COMMAND (named KEY) for this buffer.
Runs ask which model when there are several."
  (cond
   ((eq key 'doctor) nil)
   ((memq key '(align profile))
    (let ((targets (mindport--run-targets server command)))
      (cond
       ((null targets)
        (user-error "mindport: no model here to run: a torch.nn.Module subclass, or a \
function returning one, callable without arguments"))
       ((null (cdr targets)) (cdar targets))
       (t (cdr (assoc (completing-read "mindport: which model? " targets nil t)
                      targets))))))
   (t (vector (eglot--path-to-uri (buffer-file-name))))))

(defun mindport-execute (key &optional callback)
  "Run the server command named KEY in `mindport-commands' on this buffer's file.
Runs ask which model when the file has several.  The server reports runs
itself (messages, the report); the doctor's verdict is shown here.  CALLBACK,
when given, is called with the result."
  (let* ((command (alist-get key mindport-commands))
         (server (mindport--server)))
    (unless (mindport--offers-p server command)
      (user-error "mindport: this server does not offer %s yet (update mindport)" command))
    (let* ((arguments (mindport--arguments key server command))
           (params (if arguments
                       (list :command command :arguments arguments)
                     (list :command command))))
      (unless (memq key '(doctor report))
        (message "mindport: %s running..." command))
      (mindport--send server command params callback))))

(defun mindport--send (server command params callback)
  "Send workspace/executeCommand PARAMS to SERVER; CALLBACK gets the result."
  (jsonrpc-async-request
   server :workspace/executeCommand params
   :success-fn (lambda (result)
                 (cond ((equal command "mindport.doctor")
                        (message "mindport: %s" (mindport--summary command result)))
                       ((equal command "mindport.convertFile")
                        (mindport--convert-message result)))
                 (when callback (funcall callback result)))
   :error-fn (lambda (error)
               (message "mindport: %s failed: %s" command
                        (or (plist-get error :message) error)))
   :timeout-fn (lambda () (message "mindport: %s timed out" command))
   :timeout 3600))

;;;###autoload
(defun mindport-convert-file ()
  "Convert this file to MindSpore (the server writes <name>_ms.py beside it)."
  (interactive)
  (mindport-execute 'convert))

;;;###autoload
(defun mindport-run-alignment ()
  "Run this model in torch and in MindSpore and compare them layer by layer."
  (interactive)
  (mindport-execute 'align))

;;;###autoload
(defun mindport-run-profile ()
  "Profile this model in torch and in MindSpore."
  (interactive)
  (mindport-execute 'profile))

;;;###autoload
(defun mindport-open-report ()
  "Open the last alignment or profile report."
  (interactive)
  (mindport-execute 'report))

;;;###autoload
(defun mindport-doctor ()
  "Check the interpreter that runs models: torch, mindspore, NumPy, the device."
  (interactive)
  (mindport-execute 'doctor))

(provide 'mindport)
;;; mindport.el ends here
