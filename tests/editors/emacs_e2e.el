;;; emacs_e2e.el --- Emacs in batch mode with eglot and editors/emacs/mindport.el  -*- lexical-binding: t; -*-
;; Invoked by tests/editors/test_emacs_e2e.py with MINDPORT_EL (the package), MINDPORT_PYTHON
;; (the interpreter that runs the server), MINDPORT_FILE (the Python file) and MINDPORT_OUT
;; (the JSON result).  Does what a person does: opens the file, reads flymake's diagnostics,
;; the hover, picks the quick fix from eglot's code-action prompt, runs M-x mindport-doctor.

(require 'json)
(load (getenv "MINDPORT_EL"))
(setq mindport-server-command
      (list (getenv "MINDPORT_PYTHON") "-m" "server.cli" "serve"))
(setq mindport-settings
      '(:device "CPU" :jedi :json-false :doctor_at_start :json-false
        :severity (:unknown "off")))
(mindport-eglot-setup)
(defvar e2e-report nil)
(defvar e2e-prompts nil)
;; eglot asks before a server edit: answer yes, as a person would, and keep the question
(advice-add 'y-or-n-p :override (lambda (prompt) (push prompt e2e-prompts) t))
(setq browse-url-browser-function (lambda (url &rest _) (setq e2e-report url)))

(defvar e2e-result (list :errors nil))
(defvar e2e-messages nil)
(advice-add 'message :after
            (lambda (format &rest args)
              (when format (push (apply #'format-message format args) e2e-messages))))

(defun e2e-wait (predicate seconds)
  "Process server output until PREDICATE holds or SECONDS pass; return its value."
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    value))

(defun e2e-finish ()
  (with-temp-file (getenv "MINDPORT_OUT")
    (insert (json-encode e2e-result)))
  (kill-emacs 0))

(condition-case err
    (progn
      (find-file (getenv "MINDPORT_FILE"))
      (python-mode)
      (let ((eglot-connect-timeout 60))
        (apply #'eglot (eglot--guess-contact)))
      (setq e2e-result (plist-put e2e-result :server_class
                                  (symbol-name (eieio-object-class (eglot-current-server)))))
      ;; flymake's diagnostics, as M-x flymake-show-buffer-diagnostics lists them
      (e2e-wait (lambda () (flymake-diagnostics)) 30)
      (setq e2e-result
            (plist-put e2e-result :diagnostics
                       (vconcat (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))))
      ;; the hover eglot shows in the echo area (eldoc), for nn.Conv2d
      (goto-char (point-min))
      (search-forward "nn.Conv2d")
      (backward-char 3)
      (let ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                                    (eglot--TextDocumentPositionParams))))
        (setq e2e-result
              (plist-put e2e-result :hover
                         (eglot--hover-info (plist-get hover :contents)))))
      ;; M-x eglot-code-actions, answering its prompt with the mindport fix
      (let ((last-nonmenu-event ?\r)
            (offered nil))
        (cl-letf (((symbol-function 'completing-read)
                   (lambda (_prompt collection &rest _)
                     (setq offered (mapcar #'car collection))
                     (or (seq-find (lambda (title) (string-match-p "mindspore" title)) offered)
                         (car offered)))))
          (eglot-code-actions (point) nil nil t))
        (setq e2e-result (plist-put e2e-result :menu (vconcat offered))))
      (setq e2e-result
            (plist-put e2e-result :text
                       (buffer-substring-no-properties (point-min) (point-max))))
      ;; M-x mindport-doctor
      (let ((answer nil))
        (mindport-execute 'doctor (lambda (result) (setq answer result)))
        (e2e-wait (lambda () answer) 90))
      (setq e2e-result
            (plist-put e2e-result :doctor
                       (seq-find (lambda (m) (string-prefix-p "mindport: doctor:" m))
                                 e2e-messages)))
      ;; M-x mindport-convert-file: model_ms.py beside the file, shown in a buffer
      (mindport-convert-file)
      (let ((port (expand-file-name "model_ms.py" (file-name-directory (getenv "MINDPORT_FILE")))))
        ;; the edit and the buffer come first, the command's answer (and its message) last
        (e2e-wait (lambda ()
                    (seq-find (lambda (m) (string-prefix-p "mindport: wrote" m)) e2e-messages))
                  30)
        (setq e2e-result
              (plist-put e2e-result :converted
                         (let ((buffer (get-file-buffer port)))
                           (and buffer (with-current-buffer buffer
                                         (buffer-substring-no-properties (point-min) (point-max)))))))
        (setq e2e-result (plist-put e2e-result :converted_exists (file-exists-p port)))
        (setq e2e-result
              (plist-put e2e-result :convert_message
                         (seq-find (lambda (m) (string-prefix-p "mindport: wrote" m)) e2e-messages))))
      ;; M-x mindport-run-alignment on a model file: the report opens in the browser
      (find-file (getenv "MINDPORT_NET"))
      (python-mode)
      (e2e-wait (lambda () (eglot-current-server)) 30)
      (mindport-run-alignment)
      (e2e-wait (lambda () e2e-report) 180)
      (setq e2e-result (plist-put e2e-result :report e2e-report)))
  (error (setq e2e-result
               (plist-put e2e-result :errors (vector (format "%S" err))))))
(e2e-finish)
