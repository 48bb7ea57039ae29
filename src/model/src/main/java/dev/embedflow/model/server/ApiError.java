package dev.embedflow.model.server;

/** An error answered to the client in OpenAI's shape: {@code {error:{message,type,code,param}}}. */
final class ApiError extends RuntimeException {

    static final String INVALID_REQUEST = "invalid_request_error";

    final int status;
    final String type;
    final String code;
    final String param;

    ApiError(int status, String type, String code, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    static ApiError badRequest(String code, String param, String message) {
        return new ApiError(400, INVALID_REQUEST, code, param, message);
    }
}
