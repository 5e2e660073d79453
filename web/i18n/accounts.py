"""Vietnamese texts of the refusals of `web.accounts` (logins, passwords, enrolments), by code."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    "wrong_credentials": "Tên đăng nhập hoặc mật khẩu không đúng",
    "too_many_attempts": "Đăng nhập sai quá nhiều lần; thử lại sau {seconds} giây",
    "account_taken": "Tài khoản {login} hoặc cán bộ {officer} đã có tài khoản",
    "password_too_short": "Mật khẩu phải có ít nhất {minimum} ký tự",
    "key_already_enrolled": "Khoá này đã được đăng ký",
}
